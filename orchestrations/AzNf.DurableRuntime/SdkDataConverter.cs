using CoreDataConverter = DurableTask.Core.Serializing.DataConverter;
using SdkConverter = Microsoft.DurableTask.DataConverter;

namespace AzNf.DurableRuntime;

/// <summary>
/// Core's client serializes orchestration inputs with its own (Newtonsoft) converter, while the
/// shims read them with the SDK's (System.Text.Json). This adapter makes the client speak the
/// SDK's format, so a record written on one side reads the same on the other.
/// </summary>
internal sealed class SdkDataConverter(SdkConverter converter) : CoreDataConverter
{
    public override string? Serialize(object? value) => converter.Serialize(value);

    public override string? Serialize(object? value, bool formatted) => converter.Serialize(value);

    public override object? Deserialize(string? data, Type objectType) => converter.Deserialize(data, objectType);
}
