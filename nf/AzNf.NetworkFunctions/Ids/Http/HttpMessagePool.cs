namespace AzNf.NetworkFunctions.Ids.Http;

/// <summary>A partition's spare <see cref="HttpMessage"/>s, so steady state allocates none.</summary>
internal sealed class HttpMessagePool
{
    private readonly Stack<HttpMessage> _free = new();

    public int InUse { get; private set; }

    public HttpMessage Rent()
    {
        InUse++;
        return _free.TryPop(out var message) ? message : new HttpMessage();
    }

    public void Return(HttpMessage? message)
    {
        if (message is null)
        {
            return;
        }
        message.Reset();
        _free.Push(message);
        InUse--;
    }
}
