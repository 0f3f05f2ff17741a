using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using static ImeiEir.Transport.Epoll.EpollNative;

namespace ImeiEir.Transport.Epoll;

/// <summary>
/// One event-loop thread over one epoll set, Redis-style: wait for ready sockets, and for each one read once and
/// answer what arrived before going on to the next. Connections are registered level-triggered, so a socket with
/// more data waiting is reported again on the next turn: one busy peer cannot starve the others, and no read is
/// spent finding a socket empty. The connection's code runs inline on this thread, so a request never waits for a
/// thread-pool hop.
/// <para>
/// A connection's epoll registration carries a GCHandle to it. Handles are freed and sockets closed only on this
/// thread, between batches, so an event already returned for a connection can never reach a freed handle or a
/// reused descriptor. The set and its eventfd are closed only once the loop has stopped and no connection or
/// caller still holds a reference to them, for the same reason: their numbers would be reused.
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
    private int _stopped;    // 1 once the thread has left its loop: nothing waits on the set any more
    private int _references; // connections not yet closed, and callers inside Dispose: the descriptors stay open
    private int _disposed;
    private int _descriptorsClosed;

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

    private bool Stopped => Volatile.Read(ref _stopped) != 0;

    /// <summary>A connection joins the loop: the descriptors stay open until it has been closed on it.</summary>
    public void Attach() => Interlocked.Increment(ref _references);

    /// <summary>Adds a socket to the set with the given interest; returns errno, 0 on success.</summary>
    public int Add(int fd, uint events, nint handle)
    {
        if (Stopped)
            return EBADF;
        var ev = new EpollEvent { Events = events, Data = (ulong)handle };
        return epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Changes a registered socket's interest; returns errno, 0 on success. Safe from any thread.</summary>
    public int Modify(int fd, uint events, nint handle)
    {
        if (Stopped)
            return EBADF;
        var ev = new EpollEvent { Events = events, Data = (ulong)handle };
        return epoll_ctl(_epoll, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Takes a socket out of the set, on the loop's thread or once it has stopped.</summary>
    public void Remove(int fd) => epoll_ctl(_epoll, EPOLL_CTL_DEL, fd, null);

    /// <summary>
    /// Hands a finished connection to the loop, which deregisters it, closes it and frees its handle; once the loop has
    /// stopped, the caller does that itself.
    /// </summary>
    public void Close(EpollConnection connection)
    {
        _closing.Enqueue(connection);
        if (Stopped)
            DrainClosing();
        else
            Wake(); // safe: this connection's reference keeps the eventfd open
    }

    /// <summary>A connection that <see cref="Attach"/>ed has been closed (or never started).</summary>
    public void Detach()
    {
        if (Interlocked.Decrement(ref _references) == 0 && Stopped)
            CloseDescriptors();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Attach(); // the wake below must not find the eventfd closed by a loop that stopped meanwhile
        _stopping = true;
        Wake();
        Detach();
        // On the loop's own thread (a continuation that ran inline) the loop stops after this turn instead.
        if (Thread.CurrentThread != _thread)
            _thread.Join(TimeSpan.FromSeconds(5));
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
                    if (errno == EINTR) continue;
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
            // A full fence between this store and the load of the count, paired with Detach's decrement: whichever
            // of the two comes last sees the other and closes the descriptors.
            Interlocked.Exchange(ref _stopped, 1);
            DrainClosing();
            if (Volatile.Read(ref _references) == 0)
                CloseDescriptors();
        }
    }

    private void DrainClosing()
    {
        while (_closing.TryDequeue(out EpollConnection? connection))
            connection.CloseOnLoop();
    }

    private void CloseDescriptors()
    {
        if (Interlocked.Exchange(ref _descriptorsClosed, 1) != 0)
            return;
        close(_wakeFd);
        close(_epoll);
    }
}
