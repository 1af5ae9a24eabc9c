using System.Net;

namespace AzNf.Functions.Http;

/// <summary>What the control API answers: a status and a JSON body.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string Json);
