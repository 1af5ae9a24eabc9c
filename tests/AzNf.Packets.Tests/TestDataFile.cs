namespace AzNf.Packets.Tests;

/// <summary>Finds files under tests/TestData by walking up from the test assembly's folder.</summary>
internal static class TestDataFile
{
    public static string Path(params string[] parts)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = System.IO.Path.Combine([directory.FullName, "tests", "TestData", .. parts]);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"tests/TestData/{string.Join('/', parts)} not found above {AppContext.BaseDirectory}");
    }
}
