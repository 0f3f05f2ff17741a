using System.Net;
using System.Text;
using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Store;
using ImeiEir.Tools.EirCtl;

namespace ImeiEir.Benchmarks;

/// <summary>Inputs shared by the suites: identities, a keyspace (the one <c>eirctl gen</c> writes), encoded messages.</summary>
internal static class Samples
{
    public static readonly LocalIdentity Eir = new("eir.localdomain", "localdomain", IPAddress.Loopback);
    public static readonly LocalIdentity Mme = new("mme01.epc.mnc001.mcc401.3gppnetwork.org", "epc.mnc001.mcc401.3gppnetwork.org", IPAddress.Loopback);
    public static readonly byte[] HomeImsi = "401011234567890"u8.ToArray();

    /// <summary>Known keys only (no unknown share): a lookup always hits, and the end-to-end path never upserts.</summary>
    public static SyntheticKeyspace Keyspace(long count) => new(count, 1, new ListMix(80, 10, 10, 0));

    public static byte[] Ecr(Imei imei, uint id)
    {
        byte[] session = Encoding.ASCII.GetBytes($"{Mme.OriginHost};1;{id}");
        byte[] digits = Encoding.ASCII.GetBytes(imei.ToString14());
        var buffer = new byte[S13Messages.MaxEcrLength(14, HomeImsi.Length, session.Length, Mme, 64)];
        int n = S13Messages.WriteEcr(buffer, Mme, session, "localdomain"u8, default, digits, "01"u8, HomeImsi, id, id);
        return buffer[..n];
    }

    public static byte[] Cer()
    {
        var buffer = new byte[4096];
        return buffer[..BaseMessages.WriteCer(buffer, Mme, 1, 1)];
    }

    /// <summary>A store holding the first <paramref name="count"/> keys of <see cref="Keyspace"/>.</summary>
    public static ImeiStore Store(long count, out SyntheticKeyspace keyspace)
    {
        keyspace = Keyspace(count);
        var store = new ImeiStore(new StoreOptions { ExpectedRecords = count });
        using ImeiStoreSession session = store.NewSession();
        for (long i = 0; i < count; i++)
        {
            (ListKind list, Reason reason, int days) = keyspace.RecordAt(i);
            uint deadline = days == 0 ? 0 : (uint)DateTimeOffset.UtcNow.AddDays(days).ToUnixTimeSeconds();
            session.Upsert(keyspace.ImeiAt(i), new ImeiRecord(list, reason, deadline));
        }
        store.MarkComplete(); // every record is in: answered, not refused
        return store;
    }
}
