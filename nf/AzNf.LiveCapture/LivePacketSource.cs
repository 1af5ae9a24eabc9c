using System.IO.Pipes;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using SharpPcap;
using SharpPcap.LibPcap;

namespace AzNf.LiveCapture;

/// <summary>
/// Live packets from an interface through libpcap, handed on as a classic pcap stream
/// (<see cref="Stream"/>) so that the same <see cref="CaptureReader"/> reads them as reads a
/// file: defragmentation, link types, warnings and reports are the same for both. A capture
/// thread copies each packet into an OS pipe (a full pipe holds the thread back, and libpcap's
/// ring buffer then absorbs the burst or counts drops) and, with <see cref="LiveCaptureOptions.WritePath"/>,
/// into a pcap file: the file holds exactly what the chain read.
/// </summary>
/// <remarks>
/// The stream ends when the duration has passed, the stop token fires or libpcap fails
/// (<see cref="Error"/>). Packets reach the stream in bursts of up to
/// <see cref="LiveCaptureOptions.ReadTimeout"/> (libpcap's own delivery), flushed whenever the
/// link goes quiet.
/// </remarks>
public sealed class LivePacketSource : IDisposable
{
    private const int PipeBufferBytes = 1 << 16;

    private readonly LiveCaptureOptions _options;
    private readonly LibPcapLiveDevice _device;
    private readonly AnonymousPipeServerStream _pipe;
    private readonly Thread _thread;
    private readonly CancellationToken _stop;
    private long _captured;

    private LivePacketSource(LiveCaptureOptions options, LibPcapLiveDevice device, CancellationToken stop)
    {
        _options = options;
        _device = device;
        _stop = stop;
        _pipe = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.None);
        Stream = new AnonymousPipeClientStream(PipeDirection.In, _pipe.ClientSafePipeHandle);
        LinkType = (LinkType)(ushort)device.LinkType;
        _thread = new Thread(Capture) { IsBackground = true, Name = "aznf live capture " + options.Interface };
    }

    /// <summary>The captured packets as a pcap stream (nanosecond timestamps); it ends when the capture does.</summary>
    public Stream Stream { get; }

    /// <summary>What messages and reports call this input: <c>live:IF</c>.</summary>
    public string Name => "live:" + _options.Interface;

    public LinkType LinkType { get; }

    /// <summary>Packets captured so far.</summary>
    public long Captured => Interlocked.Read(ref _captured);

    /// <summary>Why the capture ended early (libpcap failed while capturing), or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Packets the kernel or the interface dropped because nobody read them in time (libpcap's statistics), once stopped.</summary>
    public long Dropped { get; private set; }

    /// <summary>Opens the interface, compiles the filter and starts capturing.</summary>
    /// <exception cref="LiveCaptureException">libpcap is missing, the interface does not exist, capturing is not permitted or the filter is bad.</exception>
    public static LivePacketSource Start(LiveCaptureOptions options, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        LibPcapLiveDeviceList devices;
        try
        {
            devices = LibPcapLiveDeviceList.Instance;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new LiveCaptureException(LiveCaptureFailure.LibraryMissing, $"libpcap is not installed or cannot be loaded ({e.Message}); install it (Debian/Ubuntu: apt-get install libpcap0.8)", e);
        }
        catch (PcapException e)
        {
            throw Classify(options.Interface, e);
        }
        var device = devices.FirstOrDefault(d => d.Name == options.Interface)
            ?? throw new LiveCaptureException(LiveCaptureFailure.NoSuchInterface, $"{options.Interface}: no such interface (available: {string.Join(", ", devices.Select(d => d.Name))})");
        try
        {
            device.Open(new DeviceConfiguration
            {
                Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
                ReadTimeout = (int)options.ReadTimeout.TotalMilliseconds,
                Snaplen = options.SnapLength,
            });
        }
        catch (PcapException e)
        {
            throw Classify(options.Interface, e);
        }
        if (options.Filter is { } filter)
        {
            try
            {
                device.Filter = filter;
            }
            catch (PcapException e)
            {
                device.Close();
                throw new LiveCaptureException(LiveCaptureFailure.BadFilter, $"{options.Interface}: bad filter '{filter}': {e.Message}", e);
            }
        }
        var source = new LivePacketSource(options, device, stop);
        source._thread.Start();
        return source;
    }

    private static LiveCaptureException Classify(string name, PcapException e) =>
        e.Message.Contains("permission", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("not permitted", StringComparison.OrdinalIgnoreCase)
            ? new LiveCaptureException(LiveCaptureFailure.NoPermission, $"{name}: no permission to capture (run as root, or give the dotnet host CAP_NET_RAW and CAP_NET_ADMIN): {e.Message}", e)
            : new LiveCaptureException(LiveCaptureFailure.Failed, $"{name}: cannot capture: {e.Message}", e);

    private void Capture()
    {
        PcapWriter? file = null;
        FileStream? fileStream = null;
        var buffered = new BufferedStream(_pipe, PipeBufferBytes);
        try
        {
            var stream = new PcapWriter(buffered, LinkType, nanosecondTimestamps: true, _options.SnapLength);
            buffered.Flush();
            if (_options.WritePath is { } path)
            {
                fileStream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, PipeBufferBytes);
                file = new PcapWriter(fileStream, LinkType, nanosecondTimestamps: true, _options.SnapLength);
                // On disk at once: the file's header says the capture is running.
                fileStream.Flush();
            }
            var deadline = _options.Duration is { } duration ? DateTime.UtcNow + duration : DateTime.MaxValue;
            while (!_stop.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                var status = _device.GetNextPacket(out var packet);
                if (status == GetPacketStatus.PacketRead)
                {
                    var time = packet.Header.Timeval;
                    long nanos = ((long)time.Seconds * 1_000_000_000L) + ((long)time.MicroSeconds * 1_000L);
                    int length = packet.Header is PcapHeader header ? (int)header.PacketLength : packet.Data.Length;
                    stream.Write(nanos, packet.Data, length);
                    file?.Write(nanos, packet.Data, length);
                    Interlocked.Increment(ref _captured);
                }
                else if (status == GetPacketStatus.ReadTimeout)
                {
                    // The link is quiet: what is buffered goes to the reader (and the file) now.
                    buffered.Flush();
                    fileStream?.Flush();
                }
                else
                {
                    Error = $"{_options.Interface}: libpcap stopped capturing ({status}: {_device.LastError})";
                    break;
                }
            }
            Dropped = (long)_device.Statistics.DroppedPackets + (long)_device.Statistics.InterfaceDroppedPackets;
        }
        catch (IOException)
        {
            // The reader closed its end (the run stopped reading): nothing more to hand on.
        }
        finally
        {
            // The file is complete before the reader sees the end of the stream, so whoever reads
            // the stream to its end may open the file next.
            file?.Dispose();
            _device.Close();
            try
            {
                buffered.Dispose();
            }
            catch (IOException)
            {
                // The reader is gone; the last bytes have nowhere to go.
            }
        }
    }

    /// <summary>Waits for the capture thread to end (after the duration or the stop token) and releases the stream.</summary>
    public void Dispose()
    {
        _thread.Join(TimeSpan.FromSeconds(5));
        Stream.Dispose();
    }
}
