using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Outputs;

/// <summary>Several outputs as one: every event goes to each, in the order given.</summary>
public sealed class ChainOutputs(IReadOnlyList<IChainOutput> outputs) : IChainOutput
{
    /// <summary>The outputs that are there (null for none, the one itself for one).</summary>
    public static IChainOutput? Of(params IChainOutput?[] outputs)
    {
        var present = outputs.OfType<IChainOutput>().ToList();
        return present.Count switch
        {
            0 => null,
            1 => present[0],
            _ => new ChainOutputs(present),
        };
    }

    public IPartitionOutput ForPartition(ChainPartition partition) =>
        new Fan(outputs.Select(o => o.ForPartition(partition)).ToArray());

    private sealed class Fan(IPartitionOutput[] outputs) : IPartitionOutput
    {
        public void Alert(Alert alert)
        {
            foreach (var output in outputs)
            {
                output.Alert(alert);
            }
        }

        public void FlowEnded(FlowRecord flow)
        {
            foreach (var output in outputs)
            {
                output.FlowEnded(flow);
            }
        }

        public void Dropped(in PacketContext packet, string stage, string reason)
        {
            foreach (var output in outputs)
            {
                output.Dropped(in packet, stage, reason);
            }
        }

        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response)
        {
            foreach (var output in outputs)
            {
                output.Answered(in packet, stage, response);
            }
        }

        public void Rewritten(in PacketContext packet)
        {
            foreach (var output in outputs)
            {
                output.Rewritten(in packet);
            }
        }

        public void BatchEnded(int packets, TimeSpan elapsed)
        {
            foreach (var output in outputs)
            {
                output.BatchEnded(packets, elapsed);
            }
        }

        public void Flush()
        {
            foreach (var output in outputs)
            {
                output.Flush();
            }
        }
    }
}
