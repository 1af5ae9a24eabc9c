using System.Text;
using AzNf.Outputs.Eve;
using AzNf.TestOracles;

namespace AzNf.Outputs.Tests;

public class EveFileTests
{
    [Fact]
    public void Append_PastTheLimit_RotatesBetweenLinesNeverSplittingOne()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("eve-file"), "eve.json");
        using (var file = EveFile.Open(path, rotateBytes: 100))
        {
            // One chunk of seven 30-byte lines: three fit in each 100-byte file.
            var chunk = new StringBuilder();
            for (int i = 0; i < 7; i++)
            {
                chunk.Append($"{{\"n\":{i},\"p\":\"{new string('x', 15)}\"}}\n");
            }
            Assert.Equal(7 * 30, chunk.Length);
            file.Append(Encoding.ASCII.GetBytes(chunk.ToString()));
            Assert.Equal([path + ".1", path + ".2"], file.Rotated);
            Assert.Equal(210, file.BytesWritten);
        }
        Assert.Equal(90, new FileInfo(path + ".1").Length);
        Assert.Equal(90, new FileInfo(path + ".2").Length);
        Assert.Equal(["{\"n\":6,\"p\":\"xxxxxxxxxxxxxxx\"}"], File.ReadAllLines(path));
    }

    [Fact]
    public void Append_ALineLongerThanTheLimit_GoesAloneIntoAFreshFile()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("eve-file-long"), "eve.json");
        using (var file = EveFile.Open(path, rotateBytes: 10))
        {
            file.Append("a\n"u8);
            file.Append(Encoding.ASCII.GetBytes(new string('b', 25) + "\nc\n"));
        }
        Assert.Equal("a\n", File.ReadAllText(path + ".1"));
        Assert.Equal(new string('b', 25) + "\n", File.ReadAllText(path + ".2"));
        Assert.Equal("c\n", File.ReadAllText(path));
    }

    [Fact]
    public void Open_WithRotatedFilesOfAnEarlierRun_NumbersOnFromTheHighest()
    {
        string folder = OracleProcess.TempDirectory("eve-file-earlier");
        string path = Path.Combine(folder, "eve.json");
        File.WriteAllText(path + ".7", "old\n");
        File.WriteAllText(path + ".x", "not ours\n");
        using (var file = EveFile.Open(path, rotateBytes: 4))
        {
            file.Append("one\n"u8);
            file.Append("two\n"u8);
            Assert.Equal([path + ".8"], file.Rotated);
        }
        Assert.Equal("old\n", File.ReadAllText(path + ".7"));
        Assert.Equal("one\n", File.ReadAllText(path + ".8"));
        Assert.Equal("two\n", File.ReadAllText(path));
    }
}
