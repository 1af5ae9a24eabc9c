using System.Text.Json;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed class ParametersFileTests(CompiledMainTemplate compiled)
{
    private static JsonElement ParametersFile() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("infra-bicep", "main.parameters.json"))).RootElement.GetProperty("parameters");

    [Fact]
    public void ParametersFile_EveryEntry_IsAParameterOfMain()
    {
        var declared = compiled.Template.Root.GetProperty("parameters").EnumerateObject().Select(parameter => parameter.Name).ToHashSet();

        var unknown = ParametersFile().EnumerateObject().Select(entry => entry.Name).Where(name => !declared.Contains(name)).ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void ParametersFile_EveryParameterWithoutDefault_IsSet()
    {
        var set = ParametersFile().EnumerateObject().Select(entry => entry.Name).ToHashSet();

        var missing = compiled.Template.Root.GetProperty("parameters").EnumerateObject()
            .Where(parameter => !parameter.Value.TryGetProperty("defaultValue", out _) && !set.Contains(parameter.Name))
            .Select(parameter => parameter.Name)
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void ParametersFile_IntegerParameters_AreJsonNumbersWithinBounds()
    {
        var integers = compiled.Template.Root.GetProperty("parameters").EnumerateObject()
            .Where(parameter => parameter.Value.GetProperty("type").GetString() == "int")
            .ToDictionary(parameter => parameter.Name, parameter => parameter.Value);

        var entries = ParametersFile().EnumerateObject().Where(entry => integers.ContainsKey(entry.Name)).ToList();

        Assert.NotEmpty(entries);
        Assert.All(entries, entry =>
        {
            // ARM does not turn "4" into 4: a quoted number fails the deployment.
            JsonElement value = entry.Value.GetProperty("value");
            Assert.Equal(JsonValueKind.Number, value.ValueKind);
            JsonElement declared = integers[entry.Name];
            Assert.InRange(value.GetInt32(), declared.GetProperty("minValue").GetInt32(), declared.GetProperty("maxValue").GetInt32());
        });
    }
}
