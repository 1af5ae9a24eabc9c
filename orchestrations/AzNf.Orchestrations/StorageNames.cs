namespace AzNf.Orchestrations;

/// <summary>Names that go into instance ids and blob names.</summary>
internal static class StorageNames
{
    /// <summary>
    /// <paramref name="name"/> reduced to letters, digits, '-' and '_': Azure Storage forbids
    /// / \ # ? and control characters in instance ids (row keys), and blob paths would split on '/'.
    /// </summary>
    public static string Safe(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}
