using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using static ImeiEir.Transport.Epoll.EpollNative;

namespace ImeiEir.Transport.Epoll;

/// <summary>
/// One accepted socket on an <see cref="EpollLoop"/>, seen by Kestrel as a connection with a pair of pipes.
/// <para>
/// Input: only the loop thread reads the socket and writes the input pipe; the application's reader resumes
/// inline on that thread, so a request is answered inside the turn that read it. Output: a send loop reads the
/// output pipe, also inline, on whichever thread flushed it; it writes with writev and, when the socket is full,
/// waits for the loop to report it writable. When the input pipe is over its pause threshold the socket is taken
/// out of the read interest until the application has caught up, so the peer feels TCP back-pressure.
/// </para>
/// </summary>
internal sealed class EpollConnection : ConnectionContext
{
    private const int ReadingState = 0, PausedState = 1, DoneState = 2;
    private const int MaxIoVecs = 16;
    private const int MinReceive = 2048; // a smaller tail of a segment is left; a receive that small wastes the call
    private static long s_nextId = DateTime.UtcNow.Ticks;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly EpollLoop _loop;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _closedOnLoop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _interestLock = new();
    private GCHandle _handle;
    private bool _registered;             // under _interestLock
    private bool _fdClosed;               // under _interestLock: the descriptor may already belong to another socket
    private readonly MemoryHandle[] _pins = new MemoryHandle[MaxIoVecs];
    private TaskCompletionSource? _writable; // under _interestLock: the send loop waits for EPOLLOUT
    private volatile int _interestError;     // errno of a failed EPOLLOUT registration
    private volatile int _readState = ReadingState;
    private volatile ConnectionAbortedException? _abortReason;
    private int _disposed;
    private Task _sending = Task.CompletedTask;

    public EpollConnection(Socket socket, EpollLoop loop, MemoryPool<byte> pool, long maxReadBuffer, long maxWriteBuffer)
    {
        _socket = socket;
        _fd = (int)socket.SafeHandle.DangerousGetHandle();
        _loop = loop;
        int segment = pool.MaxBufferSize;
        _input = new Pipe(new PipeOptions(pool, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: maxReadBuffer, resumeWriterThreshold: maxReadBuffer / 2, minimumSegmentSize: segment, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(pool, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: maxWriteBuffer, resumeWriterThreshold: maxWriteBuffer / 2, minimumSegmentSize: segment, useSynchronizationContext: false));
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionId = Interlocked.Increment(ref s_nextId).ToString("X16");
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionClosed = _closed.Token;
        Features.Set<IConnectionIdFeature>(new IdFeature(this));
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    /// <summary>Joins the loop's epoll set and starts the send loop. Returns false if epoll refused the socket.</summary>
    public bool Start()
    {
        _handle = GCHandle.Alloc(this);
        _loop.Attach();
        lock (_interestLock)
        {
            if (UpdateInterestLocked() != 0)
            {
                _handle.Free();
                _loop.Detach();
                return false;
            }
        }
        _sending = SendLoopAsync();
        return true;
    }

    /// <summary>On the loop thread: what epoll reported for this socket.</summary>
    public void OnEvents(uint events)
    {
        try
        {
            if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0)
                SignalWritable();
            if (_readState == ReadingState && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
                Receive();
        }
        catch (Exception e)
        {
            // Never let one connection's failure take the loop (and every other connection on it) down.
            EndInput(new ConnectionAbortedException("transport failure: " + e.Message, e));
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _abortReason = abortReason;
        try
        {
            // Shutting both directions makes epoll report HUP, which wakes the loop to end the input and the send
            // loop to fail its write: the application sees the abort from both pipes without a second writer.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _output.Reader.CancelPendingRead();
        SignalWritable();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _input.Reader.Complete();
        _output.Writer.Complete();
        await _sending.ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _loop.Close(this);
        await _closedOnLoop.Task.ConfigureAwait(false);
        _closed.Dispose();
    }

    /// <summary>
    /// On the loop thread, between batches (no event for this socket can still be in hand), or on the caller's once
    /// the loop has stopped.
    /// </summary>
    public void CloseOnLoop()
    {
        if (_readState != DoneState)
        {
            _readState = DoneState;
            _input.Writer.Complete();
        }
        lock (_interestLock)
        {
            if (_registered)
                _loop.Remove(_fd);
            _registered = false;
            _fdClosed = true;
            _socket.Dispose();
        }
        _handle.Free();
        _loop.Detach();
        _closedOnLoop.TrySetResult();
    }

    private unsafe void Receive()
    {
        PipeWriter writer = _input.Writer;
        Memory<byte> memory = writer.GetMemory(MinReceive);
        nint n;
        fixed (byte* p = memory.Span)
        {
            do n = recv(_fd, p, memory.Length, 0);
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
        }
        if (n > 0)
        {
            writer.Advance((int)n);
            ValueTask<FlushResult> flush = writer.FlushAsync();
            if (!flush.IsCompleted)
                PauseUntilFlushed(flush);
            else if (flush.Result.IsCompleted)
                EndInput(null); // the application has stopped reading
            return;
        }
        if (n == 0)
        {
            EndInput(_abortReason);
            return;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EAGAIN)
            return;
        EndInput(_abortReason ?? (Exception)new ConnectionResetException($"recv failed: {new SocketException(errno).Message}"));
    }

    private void EndInput(Exception? error)
    {
        if (_readState == DoneState)
            return;
        _readState = DoneState;
        lock (_interestLock)
            UpdateInterestLocked();
        _input.Writer.Complete(error);
        // Off the loop thread: whoever watches the token must not run on it.
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.CancelClosed(), this, preferLocal: false);
    }

    private void CancelClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void PauseUntilFlushed(ValueTask<FlushResult> flush)
    {
        _readState = PausedState;
        lock (_interestLock)
            UpdateInterestLocked();
        _ = ResumeAfterFlushAsync(flush);
    }

    private async Task ResumeAfterFlushAsync(ValueTask<FlushResult> flush)
    {
        FlushResult result;
        try
        {
            result = await flush.ConfigureAwait(false);
        }
        catch (Exception)
        {
            result = new FlushResult(isCanceled: false, isCompleted: true);
        }
        if (result.IsCompleted || _abortReason is not null)
        {
            // Completed from here, off the loop: the loop never writes to the input once it is Done.
            _readState = DoneState;
            lock (_interestLock)
                UpdateInterestLocked();
            _input.Writer.Complete(_abortReason);
            CancelClosed();
            return;
        }
        _readState = ReadingState;
        lock (_interestLock)
            UpdateInterestLocked();
    }

    // Registered only while something is wanted: epoll reports HUP and ERR whatever the mask, and level-triggered
    // it would report them on every turn for a socket nobody is reading.
    private int UpdateInterestLocked()
    {
        uint events = (_readState == ReadingState ? EPOLLIN | EPOLLRDHUP : 0) | (_writable is not null ? EPOLLOUT : 0);
        if (_fdClosed)
            return 0;
        if (events == 0)
        {
            if (_registered)
                _loop.Remove(_fd);
            _registered = false;
            return 0;
        }
        nint handle = GCHandle.ToIntPtr(_handle);
        int errno = _registered ? _loop.Modify(_fd, events, handle) : _loop.Add(_fd, events, handle);
        if (errno == 0)
            _registered = true;
        return errno;
    }

    private void SignalWritable()
    {
        TaskCompletionSource? waiter;
        lock (_interestLock)
        {
            waiter = _writable;
            _writable = null;
            if (waiter is not null)
                UpdateInterestLocked();
        }
        waiter?.TrySetResult();
    }

    private Task WaitWritableAsync()
    {
        lock (_interestLock)
        {
            _writable ??= new TaskCompletionSource();
            int errno = _abortReason is null ? UpdateInterestLocked() : 0;
            if (_abortReason is not null || errno != 0)
            {
                if (errno != 0)
                    _interestError = errno; // no EPOLLOUT will ever come: the send loop must stop, not spin
                TaskCompletionSource waiter = _writable;
                _writable = null;
                waiter.TrySetResult();
                return waiter.Task;
            }
            return _writable.Task;
        }
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled && _abortReason is not null)
                {
                    error = _abortReason;
                    break;
                }
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    nint sent = WriteV(buffer, out int errno);
                    if (sent > 0)
                    {
                        buffer = buffer.Slice(sent);
                        continue;
                    }
                    if (errno == EAGAIN && _abortReason is null && _interestError == 0)
                    {
                        await WaitWritableAsync().ConfigureAwait(false);
                        continue;
                    }
                    if (errno == EAGAIN && _interestError != 0)
                        errno = _interestError;
                    error = _abortReason ?? (Exception)new ConnectionResetException($"send failed: {new SocketException(errno).Message}");
                    break;
                }
                if (error is not null)
                    break;
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                    break;
            }
        }
        catch (Exception e)
        {
            error = e;
        }
        reader.Complete(error);
    }

    private unsafe nint WriteV(in ReadOnlySequence<byte> buffer, out int errno)
    {
        nint sent;
        if (buffer.IsSingleSegment)
        {
            fixed (byte* p = buffer.FirstSpan)
            {
                do sent = write(_fd, p, buffer.FirstSpan.Length);
                while (sent < 0 && Marshal.GetLastPInvokeError() == EINTR);
            }
        }
        else
        {
            // Blocks from the pinned pool pin for free; a larger segment the pipe took elsewhere gets a real pin.
            IoVec* vecs = stackalloc IoVec[MaxIoVecs];
            int count = 0;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                if (segment.IsEmpty)
                    continue;
                _pins[count] = segment.Pin();
                vecs[count].Base = (byte*)_pins[count].Pointer;
                vecs[count].Length = (nuint)segment.Length;
                if (++count == MaxIoVecs)
                    break;
            }
            do sent = writev(_fd, vecs, count);
            while (sent < 0 && Marshal.GetLastPInvokeError() == EINTR);
            for (int i = 0; i < count; i++)
            {
                _pins[i].Dispose();
                _pins[i] = default;
            }
        }
        errno = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
        return sent;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class IdFeature(EpollConnection connection) : IConnectionIdFeature
    {
        public string ConnectionId
        {
            get => connection.ConnectionId;
            set => connection.ConnectionId = value;
        }
    }
}
