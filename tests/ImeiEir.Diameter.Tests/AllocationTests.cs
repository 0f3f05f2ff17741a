namespace ImeiEir.Diameter.Tests;

/// <summary>The hot path (frame scan, ECR parse, ECA write) allocates nothing (docs/ARCHITECTURE.md, convention 15: 0 bytes on the codec path).</summary>
public sealed class AllocationTests
{
    [Test]
    public void Scan_parse_and_answer_10000_times_allocates_nothing()
    {
        byte[] request = Hex.LoadTestData("ecr.hex");
        byte[] answer = new byte[BaseMessages.MaxAnswerLength(request.Length, Peers.Eir)];
        var sequence = new System.Buffers.ReadOnlySequence<byte>(request);

        long checksum = RunHotPath(request, answer, sequence, 1_000); // warm-up: JIT, tiering, statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += RunHotPath(request, answer, sequence, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.EqualTo(0), "bytes allocated by 10,000 scan + parse + write cycles");
        Assert.That(checksum, Is.GreaterThan(0));
    }

    [Test]
    public void Error_answers_allocate_nothing()
    {
        byte[] request = EcrBuilder.Valid().Without("Origin-Realm").Build();
        byte[] answer = new byte[BaseMessages.MaxAnswerLength(request.Length, Peers.Eir)];

        long checksum = RunErrorPath(request, answer, 1_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += RunErrorPath(request, answer, 10_000);

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(checksum, Is.GreaterThan(0));
    }

    private static long RunHotPath(byte[] request, byte[] answer, System.Buffers.ReadOnlySequence<byte> sequence, int iterations)
    {
        long checksum = 0;
        for (int i = 0; i < iterations; i++)
        {
            FrameScanner.TryScan(sequence, 65536, out DiameterHeader header, out _);
            if (S13Messages.TryParseEcr(request.AsSpan(0, header.MessageLength), out EcrView ecr, out _))
            {
                checksum += S13Messages.WriteEca(answer, request, ecr, Peers.Eir, (uint)(i % 3));
                checksum += ecr.Imei.Length;
            }
        }

        return checksum;
    }

    private static long RunErrorPath(byte[] request, byte[] answer, int iterations)
    {
        long checksum = 0;
        for (int i = 0; i < iterations; i++)
        {
            if (!S13Messages.TryParseEcr(request, out _, out ProtocolError error))
            {
                checksum += S13Messages.WriteError(answer, request, Peers.Eir, error);
                checksum += BaseMessages.WriteProtocolErrorAnswer(answer, request, Peers.Eir, ResultCodes.TooBusy);
            }
        }

        return checksum;
    }
}
