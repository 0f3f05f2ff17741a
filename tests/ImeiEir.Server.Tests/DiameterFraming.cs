using System.Buffers.Binary;
using System.Net.Sockets;
using ImeiEir.Diameter;

namespace ImeiEir.Server.Tests;

/// <summary>Blocking reads of whole Diameter messages off a socket, for the test peers (one copy of the loop).</summary>
internal static class DiameterFraming
{
    /// <summary>Reads one whole message (header first, then the rest its length names).</summary>
    public static byte[] Receive(Socket socket)
    {
        Span<byte> header = stackalloc byte[DiameterHeader.Size];
        ReceiveExactly(socket, header);
        byte[] message = new byte[MessageLength(header)];
        header.CopyTo(message);
        ReceiveExactly(socket, message.AsSpan(DiameterHeader.Size));
        return message;
    }

    /// <summary>Reads one whole message into <paramref name="scratch"/> without allocating; returns its length.</summary>
    public static int ReceiveInto(Socket socket, byte[] scratch)
    {
        ReceiveExactly(socket, scratch.AsSpan(0, DiameterHeader.Size));
        int length = MessageLength(scratch);
        ReceiveExactly(socket, scratch.AsSpan(DiameterHeader.Size, length - DiameterHeader.Size));
        return length;
    }

    private static int MessageLength(ReadOnlySpan<byte> header) => (int)(BinaryPrimitives.ReadUInt32BigEndian(header) & 0xFFFFFF);

    private static void ReceiveExactly(Socket socket, Span<byte> target)
    {
        while (!target.IsEmpty)
        {
            int read = socket.Receive(target);
            if (read == 0) throw new IOException("the server closed the connection");
            target = target[read..];
        }
    }
}
