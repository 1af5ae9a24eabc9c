using System.Text.Json;

namespace AzNf.Study;

/// <summary>One price: the figure, what it is per, and where it was read.</summary>
public sealed record PriceItem(double Price, string Unit, string Source);

/// <summary>
/// The price table of the cost model, from a JSON file the user can replace
/// (<c>samples/prices/azure-list-prices.json</c> by default). Nothing here fetches prices: the
/// file says where each figure came from and as of when, and every report prints that it was
/// not checked live.
/// </summary>
public sealed record Prices(string Description, string AsOf, string Currency, IReadOnlyDictionary<string, PriceItem> Items)
{
    /// <summary>The items the cost model reads; a price file must have them all.</summary>
    public static IReadOnlyList<string> Required { get; } =
    [
        "eventHubsThroughputUnitHour", "eventHubsIngressMillionEvents",
        "storageBlobTenThousandOperations", "storageQueueTenThousandOperations", "storageTableTenThousandTransactions",
        "functionsEp1InstanceHour", "functionsFlexMillionExecutions", "functionsFlexGbSecond",
    ];

    public double this[string item] => Items[item].Price;

    /// <summary>Reads and checks a price file.</summary>
    /// <exception cref="FormatException">The file is not a price table; the message names the file and what is wrong.</exception>
    public static Prices Load(string path)
    {
        string name = Path.GetFileName(path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            string Text(string property) =>
                root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()!
                    : throw new FormatException($"{name}: '{property}' must be a string");
            if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{name}: 'items' must be an object of prices");
            }
            var read = new Dictionary<string, PriceItem>(StringComparer.Ordinal);
            foreach (var item in items.EnumerateObject())
            {
                if (!item.Value.TryGetProperty("price", out var price) || price.ValueKind != JsonValueKind.Number || price.GetDouble() < 0)
                {
                    throw new FormatException($"{name}: items.{item.Name}.price must be a number ≥ 0");
                }
                string unit = item.Value.TryGetProperty("unit", out var u) ? u.GetString() ?? "" : "";
                string source = item.Value.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "";
                read[item.Name] = new PriceItem(price.GetDouble(), unit, source);
            }
            var missing = Required.Where(r => !read.ContainsKey(r)).ToList();
            if (missing.Count > 0)
            {
                throw new FormatException($"{name}: items lacks {string.Join(", ", missing)}");
            }
            return new Prices(Text("description"), Text("asOf"), Text("currency"), read);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{name}: not JSON: {e.Message}", e);
        }
    }
}
