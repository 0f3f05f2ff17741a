using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using static ImeiEir.Server.Transport.EpollNative;

namespace ImeiEir.Server.Transport;

/// <summary>
/// One event-loop thread over one epoll set, Redis-style: wait for ready sockets, and for each one read once and
/// answer what arrived before going on to the next. Connections are registered level-triggered, so a socket with
/// more data waiting is reported again on the next turn: one busy peer cannot starve the others, and no read is
/// spent finding a socket empty. The connection's code runs inline on this thread, so a request never waits for a
/// thread-pool hop.
/// <para>
/// A connection's epoll registration carries a GCHandle to it. Handles are freed and sockets closed only on this
/// thread, between batches, so an event already returned for a connection can never reach a freed handle or a
/// reused descriptor.
/// </para>
/// </summary>
internal sealed unsafe class EpollLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeData = ulong.MaxValue;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<EpollConnection> _closing = new();
    private volatile bool _stopping;
    private volatile bool _stopped; // the thread has exited: nothing else touches the set

    public EpollLoop(string name)
    {
        _epoll = epoll_create1(EPOLL_CLOEXEC);
        if (_epoll < 0)
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        _wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (_wakeFd < 0)
            throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        var ev = new EpollEvent { Events = EPOLLIN, Data = WakeData };
        if (epoll_ctl(_epoll, EPOLL_CTL_ADD, _wakeFd, &ev) != 0)
            throw new IOException($"epoll_ctl(ADD eventfd) failed: errno {Marshal.GetLastPInvokeError()}");
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Adds a socket to the set with the given interest; returns errno, 0 on success.</summary>
    public int Add(int fd, uint events, nint handle)
    {
        if (_stopped)
            return EBADF; // the set is closed (its number may already be another descriptor's)
        var ev = new EpollEvent { Events = events, Data = (ulong)handle };
        return epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Changes a registered socket's interest; returns errno, 0 on success. Safe from any thread.</summary>
    public int Modify(int fd, uint events, nint handle)
    {
        if (_stopped)
            return EBADF;
        var ev = new EpollEvent { Events = events, Data = (ulong)handle };
        return epoll_ctl(_epoll, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Takes a socket out of the set. Only from this loop's thread (or before it ever ran).</summary>
    public void Remove(int fd)
    {
        if (!_stopped) // once the set is closed, closing the socket is all there is to do
            epoll_ctl(_epoll, EPOLL_CTL_DEL, fd, null);
    }

    /// <summary>Hands a finished connection to the loop, which deregisters it, closes it and frees its handle.</summary>
    public void Close(EpollConnection connection)
    {
        _closing.Enqueue(connection);
        if (_stopped)
            DrainClosing(); // a connection that outlived its listener: no loop is left to do it
        else
            Wake();
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (Thread.CurrentThread != _thread && _thread.Join(TimeSpan.FromSeconds(5)))
            _stopped = true;
        DrainClosing();
        if (!_stopped)
            return; // the thread is still in a turn: closing the set under it would be a use after close; leak it
        close(_wakeFd);
        close(_epoll);
    }

    private void Wake()
    {
        ulong one = 1;
        write(_wakeFd, (byte*)&one, sizeof(ulong));
    }

    private void Run()
    {
        EpollEvent* events = (EpollEvent*)NativeMemory.Alloc(MaxEvents, (nuint)sizeof(EpollEvent));
        try
        {
            while (!_stopping)
            {
                int n = epoll_wait(_epoll, events, MaxEvents, -1);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR || _stopping) continue;
                    throw new IOException($"epoll_wait failed: errno {errno}");
                }
                for (int i = 0; i < n; i++)
                {
                    ulong data = events[i].Data;
                    if (data == WakeData)
                    {
                        ulong drained;
                        read(_wakeFd, (byte*)&drained, sizeof(ulong));
                        continue;
                    }
                    var connection = (EpollConnection)GCHandle.FromIntPtr((nint)data).Target!;
                    connection.OnEvents(events[i].Events);
                }
                DrainClosing();
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    private void DrainClosing()
    {
        while (_closing.TryDequeue(out EpollConnection? connection))
            connection.CloseOnLoop();
    }
}
