namespace AzNf.Outputs.Eve;

/// <summary>
/// The file EVE lines go to, shared by every partition's writer: whole lines are appended under
/// a lock. With a size limit the file rotates like a log: once the next line would take it past
/// the limit, <c>eve.json</c> is renamed <c>eve.json.N</c> (N counting up from the highest one
/// already there) and a new <c>eve.json</c> starts. <c>-</c> writes to standard output.
/// </summary>
public sealed class EveFile : IDisposable
{
    private readonly object _lock = new();
    private readonly string? _path;
    private readonly long _rotateBytes;
    private readonly List<string> _rotated = [];
    private Stream _stream;
    private long _written;
    private int _nextSuffix;

    private EveFile(string? path, Stream stream, long rotateBytes)
    {
        _path = path;
        _stream = stream;
        _rotateBytes = rotateBytes;
        _nextSuffix = path is null ? 0 : HighestSuffix(path) + 1;
    }

    /// <summary>
    /// Opens <paramref name="path"/> (replacing it) or standard output for <c>-</c>;
    /// <paramref name="rotateBytes"/> &gt; 0 rotates the file at that size (not standard output).
    /// </summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be created.</exception>
    public static EveFile Open(string path, long rotateBytes = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(rotateBytes);
        return path == "-"
            ? new EveFile(null, Console.OpenStandardOutput(), 0)
            : new EveFile(path, Create(path), rotateBytes);
    }

    /// <summary>Where the lines go (<c>-</c> for standard output).</summary>
    public string Name => _path ?? "-";

    /// <summary>Files rotated out during this run, oldest first.</summary>
    public IReadOnlyList<string> Rotated
    {
        get
        {
            lock (_lock)
            {
                return [.. _rotated];
            }
        }
    }

    /// <summary>Bytes written in all (every file of this run).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// Appends <paramref name="lines"/>: complete lines, each ending in a newline. When the file
    /// rotates, it does so between two lines, so no file ever ends in half a line and none passes
    /// the limit unless one line alone does.
    /// </summary>
    public void Append(ReadOnlySpan<byte> lines)
    {
        lock (_lock)
        {
            while (!lines.IsEmpty)
            {
                int take = lines.Length;
                if (_rotateBytes > 0 && _written + take > _rotateBytes)
                {
                    int room = (int)Math.Max(0, Math.Min(int.MaxValue, _rotateBytes - _written));
                    // The whole lines that still fit; none: rotate first (or, in a fresh file, one line alone).
                    take = lines[..Math.Min(room, lines.Length)].LastIndexOf((byte)'\n') + 1;
                    if (take == 0)
                    {
                        if (_written > 0)
                        {
                            Rotate();
                            continue;
                        }
                        take = lines.IndexOf((byte)'\n') + 1;
                        take = take == 0 ? lines.Length : take;
                    }
                }
                _stream.Write(lines[..take]);
                _written += take;
                BytesWritten += take;
                lines = lines[take..];
            }
        }
    }

    /// <summary>Writes what the stream buffered through to the file.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _stream.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stream.Dispose();
        }
    }

    private void Rotate()
    {
        _stream.Dispose();
        string target = $"{_path}.{_nextSuffix++}";
        File.Move(_path!, target, overwrite: true);
        _rotated.Add(target);
        _stream = Create(_path!);
        _written = 0;
    }

    private static FileStream Create(string path) =>
        new(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);

    private static int HighestSuffix(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        string prefix = Path.GetFileName(path) + ".";
        int highest = 0;
        if (folder is null || !Directory.Exists(folder))
        {
            return 0;
        }
        foreach (string file in Directory.EnumerateFiles(folder, prefix + "*"))
        {
            // The pattern also matches the file itself ("eve.json.*" finds "eve.json").
            string name = Path.GetFileName(file);
            if (name.Length > prefix.Length && int.TryParse(name.AsSpan(prefix.Length), out int suffix) && suffix > highest)
            {
                highest = suffix;
            }
        }
        return highest;
    }
}
