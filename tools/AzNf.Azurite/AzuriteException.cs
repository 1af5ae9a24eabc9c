namespace AzNf.Azurite;

/// <summary>Azurite could not be installed or started; the message says why.</summary>
public sealed class AzuriteException : Exception
{
    public AzuriteException(string message)
        : base(message)
    {
    }

    public AzuriteException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
