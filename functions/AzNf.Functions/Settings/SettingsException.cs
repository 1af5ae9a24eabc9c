namespace AzNf.Functions.Settings;

/// <summary>A setting that is missing or unusable; the message starts with the setting's name.</summary>
public sealed class SettingsException(string setting, string problem)
    : Exception($"{setting}: {problem}")
{
    public string Setting { get; } = setting;
}
