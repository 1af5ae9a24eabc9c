namespace AzNf.NetworkFunctions.Ids;

/// <summary>A Suricata buffer transform: written after a sticky buffer, applied to it before its checks.</summary>
public enum IdsTransform : byte
{
    /// <summary>Prepends '.', so <c>content:".example.com"; endswith</c> matches the domain and its subdomains only.</summary>
    DotPrefix,
    ToLowercase,
    /// <summary>Removes all ASCII white space.</summary>
    StripWhitespace,
    /// <summary>Replaces each run of ASCII white space with one space.</summary>
    CompressWhitespace,
}

/// <summary>Applies transforms into a reused buffer.</summary>
internal sealed class TransformBuffer
{
    private byte[] _a = new byte[256];
    private byte[] _b = new byte[256];

    /// <summary>The bytes after applying <paramref name="transforms"/> to <paramref name="input"/>; valid until the next call.</summary>
    public ReadOnlySpan<byte> Apply(ReadOnlySpan<byte> input, IdsTransform[] transforms)
    {
        var current = input;
        bool intoA = true;
        foreach (var transform in transforms)
        {
            ref byte[] target = ref intoA ? ref _a : ref _b;
            if (target.Length < current.Length + 1)
            {
                target = new byte[Math.Max(current.Length + 1, target.Length * 2)];
            }
            int length = 0;
            switch (transform)
            {
                case IdsTransform.DotPrefix:
                    target[0] = (byte)'.';
                    current.CopyTo(target.AsSpan(1));
                    length = current.Length + 1;
                    break;
                case IdsTransform.ToLowercase:
                    foreach (byte b in current)
                    {
                        target[length++] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
                    }
                    break;
                case IdsTransform.StripWhitespace:
                    foreach (byte b in current)
                    {
                        if (!IsSpace(b))
                        {
                            target[length++] = b;
                        }
                    }
                    break;
                case IdsTransform.CompressWhitespace:
                    bool previousSpace = false;
                    foreach (byte b in current)
                    {
                        bool space = IsSpace(b);
                        if (!space || !previousSpace)
                        {
                            target[length++] = space ? (byte)' ' : b;
                        }
                        previousSpace = space;
                    }
                    break;
            }
            current = target.AsSpan(0, length);
            intoA = !intoA;
        }
        return current;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;
}
