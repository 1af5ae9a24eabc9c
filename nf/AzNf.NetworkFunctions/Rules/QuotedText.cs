using System.Globalization;

namespace AzNf.NetworkFunctions.Rules;

/// <summary>Rule text as an error message quotes it: a hostile line can be megabytes long, and the message must stay one readable line.</summary>
public static class QuotedText
{
    /// <summary>The text itself up to 80 characters, else its first 60 and its length.</summary>
    public static string Of(string text) =>
        text.Length <= 80 ? text : $"{text[..60]}… ({text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters)";
}
