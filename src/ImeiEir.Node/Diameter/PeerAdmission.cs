using System.Net;
using System.Text;
using ImeiEir.Node.Configuration;

namespace ImeiEir.Node.Diameter;

/// <summary>
/// Who may hold a Diameter connection. Two pools, counted apart so that sockets which never say hello cannot take
/// the place of the operator's MMEs:
/// <code>
///   accept ──► pending (no CER yet) ──CER 2001──► established
///              ≤ MaxPendingConnections            ≤ MaxConnections (else CEA 3004)
///              full: the oldest is closed
/// </code>
/// <para>
/// Nothing here runs per request: only on accept, on CER and on close. The established count is an Interlocked
/// counter; the pending pool is a list in accept order under a small lock, because closing the oldest needs the
/// order, and a lock-free queue would have to hold the entries of connections that already left until they reached
/// its head.
/// </para>
/// </summary>
internal sealed class PeerAdmission
{
    private readonly object _gate = new();
    private readonly LinkedList<AdmissionTicket> _pending = new();
    private readonly int _maxPending;
    private readonly int _maxEstablished;
    private readonly List<AllowedPeer> _allowed;
    private int _pendingCount;
    private int _established;
    private long _evicted;

    public PeerAdmission(DiameterOptions options)
    {
        _maxPending = options.MaxPendingConnections;
        _maxEstablished = options.MaxConnections;
        // Validated at start-up (DiameterOptions.Validate); options built by hand in tests get the same check here.
        if (!AllowedPeer.TryParseAll(options.AllowedPeers, out _allowed, out string bad))
            throw new ArgumentException($"{DiameterOptions.Section}:AllowedPeers: '{bad}' is neither an address, a CIDR block nor a DiameterIdentity", nameof(options));
    }

    /// <summary>Connections waiting for their CER now.</summary>
    public int PendingConnections => Volatile.Read(ref _pendingCount);

    /// <summary>Pending connections closed so far to make room for newer ones.</summary>
    public long EvictedConnections => Interlocked.Read(ref _evicted);

    /// <summary>Connections whose CER was accepted, open now.</summary>
    public int EstablishedConnections => Volatile.Read(ref _established);

    /// <summary>
    /// A new connection from <paramref name="remote"/> (null when unknown) enters the pending pool; when that makes
    /// the pool overfull, the oldest pending connection's <paramref name="evict"/> is called (not this one's: the
    /// newest is never the oldest while the pool holds at least one).
    /// </summary>
    public AdmissionTicket Arrive(IPAddress? remote, Action evict)
    {
        var ticket = new AdmissionTicket(this, remote is null ? null : AllowedPeer.Canonical(remote), evict);
        AdmissionTicket? victim = null;
        lock (_gate)
        {
            _pending.AddLast(ticket.Node);
            if (_pending.Count > _maxPending)
            {
                victim = _pending.First!.Value;
                _pending.RemoveFirst();
                victim.State = AdmissionState.Evicted;
                Interlocked.Increment(ref _evicted);
            }
            Volatile.Write(ref _pendingCount, _pending.Count);
        }
        // Outside the lock: on the epoll transport the victim's loop resumes inline, right here, and closes.
        victim?.Evict();
        return ticket;
    }

    internal bool IsAllowed(IPAddress? remote, ReadOnlySpan<byte> originHost)
    {
        if (_allowed.Count == 0)
            return true;
        foreach (AllowedPeer peer in _allowed)
        {
            if (peer.Network is { } network ? remote is not null && network.Contains(remote)
                : Ascii.EqualsIgnoreCase(peer.OriginHost, originHost))
                return true;
        }
        return false;
    }

    internal CerAdmission Establish(AdmissionTicket ticket)
    {
        lock (_gate)
        {
            if (ticket.State != AdmissionState.Pending)
                return CerAdmission.Evicted;
            _pending.Remove(ticket.Node);
            Volatile.Write(ref _pendingCount, _pending.Count);
            ticket.State = AdmissionState.Refused;
        }
        if (Interlocked.Increment(ref _established) > _maxEstablished)
        {
            Interlocked.Decrement(ref _established);
            return CerAdmission.TooBusy;
        }
        ticket.State = AdmissionState.Established;
        return CerAdmission.Admitted;
    }

    internal void Leave(AdmissionTicket ticket)
    {
        lock (_gate)
        {
            switch (ticket.State)
            {
                case AdmissionState.Pending:
                    _pending.Remove(ticket.Node);
                    Volatile.Write(ref _pendingCount, _pending.Count);
                    break;
                case AdmissionState.Established:
                    Interlocked.Decrement(ref _established);
                    break;
            }
            ticket.State = AdmissionState.Left;
        }
    }
}

/// <summary>What a CER may do with its connection.</summary>
internal enum CerAdmission
{
    /// <summary>The connection now holds an established-peer slot.</summary>
    Admitted,

    /// <summary>Every established-peer slot is taken: answer 3004 TOO_BUSY.</summary>
    TooBusy,

    /// <summary>The connection was pushed out of the pending pool while its CER was on the way: close it.</summary>
    Evicted,
}

internal enum AdmissionState { Pending, Established, Evicted, Refused, Left }

/// <summary>One connection's place in <see cref="PeerAdmission"/>; <see cref="Leave"/> when it closes.</summary>
internal sealed class AdmissionTicket
{
    private readonly PeerAdmission _admission;
    private readonly IPAddress? _remote;
    private readonly Action _evict;

    internal AdmissionTicket(PeerAdmission admission, IPAddress? remote, Action evict)
    {
        _admission = admission;
        _remote = remote;
        _evict = evict;
        Node = new LinkedListNode<AdmissionTicket>(this);
    }

    internal LinkedListNode<AdmissionTicket> Node { get; }

    /// <summary>Written under the admission's lock.</summary>
    internal AdmissionState State { get; set; }

    /// <summary>Whether Diameter:AllowedPeers lets this source, or the <paramref name="originHost"/> its CER gives, in.</summary>
    public bool IsAllowed(ReadOnlySpan<byte> originHost) => _admission.IsAllowed(_remote, originHost);

    /// <summary>On CER: leave the pending pool and take an established-peer slot if one is free.</summary>
    public CerAdmission Establish() => _admission.Establish(this);

    /// <summary>On close, whatever the state: gives back the slot held, once.</summary>
    public void Leave() => _admission.Leave(this);

    internal void Evict() => _evict();
}
