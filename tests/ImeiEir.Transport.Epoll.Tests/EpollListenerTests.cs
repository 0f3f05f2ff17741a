using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ImeiEir.Transport.Epoll;
using Microsoft.AspNetCore.Connections;

namespace ImeiEir.Transport.Epoll.Tests;

/// <summary>The epoll listener on its own, below Kestrel: the orders of teardown Kestrel does not promise.</summary>
[TestFixture]
public sealed class EpollListenerTests
{
    [Test, CancelAfter(30_000)]
    public async Task A_connection_that_outlives_its_listener_still_closes_and_its_peer_sees_the_close()
    {
        (EpollConnectionListener listener, Socket client, ConnectionContext connection) = await ConnectedAsync(loops: 2);
        await using EpollConnectionListener disposeListener = listener;
        using Socket disposeClient = client;

        // Echo once, so the connection is known to work before its loops go away.
        await client.SendAsync("ping"u8.ToArray());
        System.IO.Pipelines.ReadResult read = await connection.Transport.Input.ReadAsync();
        // The read may have resumed inline on the event loop's thread (as the server's code does); a test that
        // blocks must not do so there.
        await Task.Yield();
        byte[] received = System.Buffers.BuffersExtensions.ToArray(read.Buffer);
        connection.Transport.Input.AdvanceTo(read.Buffer.End);
        await connection.Transport.Output.WriteAsync(received);
        byte[] echo = new byte[4];
        Assert.That(client.Receive(echo), Is.EqualTo(4));
        Assert.That(echo, Is.EqualTo("ping"u8.ToArray()));

        await listener.DisposeAsync(); // the event loops stop first
        Task teardown = connection.DisposeAsync().AsTask();
        await Eventually.CompletesAsync(teardown, TimeSpan.FromSeconds(10), "the connection's teardown to finish");
        Assert.That(client.Receive(echo), Is.Zero, "the peer sees the connection closed");
    }

    [Test, CancelAfter(30_000)]
    public async Task Reads_resume_inline_on_the_event_loop_and_disposing_the_listener_from_there_still_closes_its_connections()
    {
        (EpollConnectionListener listener, Socket client, ConnectionContext connection) = await ConnectedAsync(loops: 1);
        await using EpollConnectionListener disposeListener = listener;
        using Socket disposeClient = client;

        // Awaited before the data is sent (the send waits for the await to be registered), so the loop that receives
        // it runs what follows the await.
        var awaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task sending = Task.Run(async () => { await awaiting.Task; client.Send("ping"u8); });
        System.IO.Pipelines.ReadResult read = await new SaysWhenAwaited<System.IO.Pipelines.ReadResult>(connection.Transport.Input.ReadAsync(), awaiting);
        string? thread = Thread.CurrentThread.Name;
        connection.Transport.Input.AdvanceTo(read.Buffer.End);
        await listener.DisposeAsync(); // on the loop's own thread: it stops after this turn instead of being joined
        Task teardown = connection.DisposeAsync().AsTask();

        await sending;
        await Eventually.CompletesAsync(teardown, TimeSpan.FromSeconds(10), "the connection's teardown to finish");
        Assert.That(thread, Is.EqualTo("Diameter epoll 0"), "the application's read resumed inline on its event loop");
        byte[] rest = new byte[4];
        Assert.That(client.Receive(rest), Is.Zero, "the peer sees the connection closed");
    }

    [Test, CancelAfter(30_000)]
    public void Binding_a_port_in_use_is_an_address_in_use_error()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        Assert.That(() => new EpollConnectionListener((IPEndPoint)taken.LocalEndPoint!, loops: 1, 1 << 20, 1 << 20),
            Throws.InstanceOf<AddressInUseException>());
    }

    /// <summary>A listener on a free loopback port, a client connected to it, and the connection it accepted.</summary>
    private static async Task<(EpollConnectionListener, Socket, ConnectionContext)> ConnectedAsync(int loops)
    {
        var listener = new EpollConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), loops, 1 << 20, 1 << 20);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        await client.ConnectAsync(((EpollEndPoint)listener.EndPoint).Address);
        return (listener, client, (await listener.AcceptAsync())!);
    }

    /// <summary>Awaits <paramref name="task"/> and completes <paramref name="awaited"/> once the continuation is registered.</summary>
    private readonly struct SaysWhenAwaited<T>(ValueTask<T> task, TaskCompletionSource awaited) : ICriticalNotifyCompletion
    {
        public SaysWhenAwaited<T> GetAwaiter() => this;

        public bool IsCompleted
        {
            get
            {
                if (task.IsCompleted) awaited.TrySetResult();
                return task.IsCompleted;
            }
        }

        public T GetResult() => task.GetAwaiter().GetResult();

        public void OnCompleted(Action continuation)
        {
            task.GetAwaiter().OnCompleted(continuation);
            awaited.TrySetResult();
        }

        public void UnsafeOnCompleted(Action continuation)
        {
            task.GetAwaiter().UnsafeOnCompleted(continuation);
            awaited.TrySetResult();
        }
    }
}
