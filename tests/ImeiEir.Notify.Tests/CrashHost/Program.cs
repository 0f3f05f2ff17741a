// A notifier process for the crash test. It enqueues the notices given on the command line, runs the NotifierService
// against Kannel until the outbox is drained (or a time limit), prints its counters, and exits 0. With
// --crash-after-send N it kills itself with SIGKILL right after Kannel answered the N-th sendsms and before that answer
// is journaled: the window the documented duplicate comes from.
//
// With --crash-before-send N it kills itself after the N-th notice is recorded Sending, before its HTTP call.
// With --nats URLS the outbox is shared through JetStream (stream --stream, bucket <stream>_NOTICES) and the sender
// holds the lease <stream>_LEASES/notifier (--lease-seconds) before it sends; it prints "lease taken" when it holds it.
//
//   ImeiEir.Notify.CrashHost --data DIR --sendsms URL --user U --password P --from F
//       [--notice KIND,IMEI,IMSI,DEADLINE_UNIX,YYYY-MM-DD]... [--crash-after-send N] [--crash-before-send N] [--seconds S]
//       [--nats URLS --stream S --lease-seconds L --dlr-wait-seconds W --dlr-url URL --dlr-token T]
using System.Globalization;
using System.Runtime.InteropServices;
using ImeiEir.Core;
using ImeiEir.Notify;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Sharing;
using ImeiEir.Registry.JetStream;
using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Logging;

var options = new NotifyOptions { RatePerSecond = 100, InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };
var notices = new List<NoticeRequest>();
int crashAfter = 0, crashBefore = 0;
string? nats = null, stream = null;
double leaseSeconds = 2, dlrWaitSeconds = 10;
double seconds = 30;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    string value = args[i + 1];
    switch (args[i])
    {
        case "--data": options.DataDirectory = value; break;
        case "--sendsms": options.SendSmsUrl = value; break;
        case "--user": options.Username = value; break;
        case "--password": options.Password = value; break;
        case "--from": options.From = value; break;
        case "--crash-after-send": crashAfter = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--crash-before-send": crashBefore = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--nats": nats = value; break;
        case "--stream": stream = value; break;
        case "--lease-seconds": leaseSeconds = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--dlr-wait-seconds": dlrWaitSeconds = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--dlr-url": options.DlrUrl = value; break;
        case "--dlr-token": options.DlrToken = value; break;
        case "--seconds": seconds = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--notice":
            string[] f = value.Split(',');
            notices.Add(new NoticeRequest(Enum.Parse<NoticeKind>(f[0]), Imei.Parse(f[1]), f[2],
                uint.Parse(f[3], CultureInfo.InvariantCulture), DateOnly.ParseExact(f[4], "yyyy-MM-dd", CultureInfo.InvariantCulture)));
            break;
        default:
            Console.Error.WriteLine($"crash-host: unknown argument {args[i]}");
            return 1;
    }
}

NoticeSharing? sharing = null;
JetStreamLease? lease = null;
if (nats is not null)
{
    var natsOptions = new NatsOptions { Url = nats, Stream = stream ?? NatsOptions.DefaultStream, Replicas = 3 };
    lease = await JetStreamLease.OpenAsync(natsOptions, "notifier", TimeSpan.FromSeconds(leaseSeconds), CancellationToken.None);
    sharing = new NoticeSharing(NatsConnections.Create(natsOptions), natsOptions.Stream + "_NOTICES", 3, new JetStreamNotifierLease(lease), TimeSpan.FromSeconds(dlrWaitSeconds));
}
// The notifier's log lines in the test's transcript: a lease or bucket that fails says why.
using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
using Notifier notifier = await Notifier.OpenAsync(options, TimeProvider.System, loggers, null, sharing);
Console.WriteLine($"crash-host: opened, {notifier.Outbox.Count} notices, {notifier.Outbox.Counters.ResentAfterRestart} to resend");
Console.WriteLine($"crash-host: enqueued {notifier.Outbox.EnqueueMany(notices)} of {notices.Count}");

using var http = new HttpClient();
using NotifierService service = notifier.CreateService(http, TimeProvider.System, loggers.CreateLogger<NotifierService>());
int sends = 0, marks = 0;
service.AfterMarkBeforeSend = sms =>
{
    if (++marks == crashBefore)
    {
        Console.WriteLine($"crash-host: SIGKILL after marking {sms.Key} Sending, before sending it");
        Console.Out.Flush();
        Kill(Environment.ProcessId, 9);
    }
};
service.AfterSendBeforeRecord = sms =>
{
    Console.WriteLine($"crash-host: sent {sms.Key} attempt {sms.Attempt}");
    if (++sends == crashAfter)
    {
        Console.WriteLine($"crash-host: SIGKILL after sending {sms.Key}, before recording it");
        Console.Out.Flush();
        Kill(Environment.ProcessId, 9);
    }
};
await service.StartAsync(CancellationToken.None);
DateTime end = DateTime.UtcNow.AddSeconds(seconds);
if (lease is not null)
{
    while (!lease.IsHeld && DateTime.UtcNow < end) await Task.Delay(20);
    Console.WriteLine(lease.IsHeld ? "crash-host: lease taken" : "crash-host: lease not taken");
    Console.Out.Flush();
}
while (notifier.Outbox.PendingCount > 0 && DateTime.UtcNow < end) await Task.Delay(20);
await service.StopAsync(CancellationToken.None);
Console.WriteLine($"crash-host: done {notifier.Outbox.Counters}");
return notifier.Outbox.PendingCount == 0 ? 0 : 3;

[DllImport("libc", EntryPoint = "kill", SetLastError = true)]
static extern int Kill(int pid, int signal);

