using System.Net;

namespace AzNf.Functions.Http;

/// <summary>A refused request: the status and a reason a caller can act on.</summary>
public sealed record ApiError(HttpStatusCode Status, string Error, string Detail);
