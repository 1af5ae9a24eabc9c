using System.Runtime.CompilerServices;
using AzNf.NetworkFunctions.Ids;

namespace AzNf.NetworkFunctions.Tests.Ids;

public sealed class IdsFlowStateTests
{
    [Fact]
    public void IdsFlowState_Size_AtMost36Bytes()
    {
        int size = Unsafe.SizeOf<IdsFlowState>();

        Assert.True(size <= 36, $"IdsFlowState is {size} bytes");
    }

    [Fact]
    public void IdsFlowState_IsPlainData_CopiesIndependently()
    {
        var original = new IdsFlowState { StreamSlot = 3, NextSequenceToServer = 7, Stage = IdsTcpStage.Established, FlowVerdict = IdsFlowVerdict.Drop, VerdictRule = 2 };

        var copy = original;
        copy.StreamSlot = 9;

        Assert.Equal(3, original.StreamSlot);
        Assert.Equal((7u, IdsTcpStage.Established, IdsFlowVerdict.Drop, 2), (copy.NextSequenceToServer, copy.Stage, copy.FlowVerdict, copy.VerdictRule));
    }
}
