using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

public class RulesCheckCommandTests
{
    [Fact]
    public void RulesCheck_RuleFiles_ExitsOk()
    {
        string folder = OracleProcess.TempDirectory("rules-check");
        string path = Path.Combine(folder, "local.rules");
        File.WriteAllText(path, "alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (content:\"a\"; sid:1;)\nalert smb any any -> any any (sid:2;)\n");

        string loaded = Path.Combine(folder, "loaded.rules");

        var (code, errors) = CliRunner.Aznf("rules", "check", path, "--var", "HTTP_PORTS=[80,8080]", "--list", "--write-loaded", loaded);

        Assert.Equal(0, code);
        Assert.Equal("", errors);
        Assert.Equal(["alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (content:\"a\"; sid:1;)"], File.ReadAllLines(loaded));
    }

    [Fact]
    public void RulesCheck_MissingFile_BadInputNamingFile()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("rules-check"), "missing.rules");

        var (code, errors) = CliRunner.Aznf("rules", "check", path);

        Assert.Equal(65, code);
        Assert.Contains("missing.rules", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void RulesCheck_WriteLoadedIntoMissingFolder_CannotWriteOutputNamingIt()
    {
        string folder = OracleProcess.TempDirectory("rules-check");
        string path = Path.Combine(folder, "local.rules");
        File.WriteAllText(path, "alert tcp any any -> any any (content:\"a\"; sid:1;)\n");
        string target = Path.Combine(folder, "no-such-folder", "loaded.rules");

        var (code, errors) = CliRunner.Aznf("rules", "check", path, "--write-loaded", target);

        Assert.Equal(73, code);
        Assert.Contains("loaded.rules", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void RulesCheck_BadVar_Usage()
    {
        var (code, errors) = CliRunner.Aznf("rules", "check", "x.rules", "--var", "HOME_NET");

        Assert.Equal(64, code);
        Assert.Contains("NAME=VALUE", errors, StringComparison.Ordinal);
    }
}
