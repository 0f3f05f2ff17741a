using System.Net;

namespace ImeiEir.Diameter.Tests;

internal static class Peers
{
    public static readonly LocalIdentity Eir = new("eir.localdomain", "localdomain", IPAddress.Parse("127.0.0.1"), originStateId: 7);

    public static readonly LocalIdentity Mme = new("mme.localdomain", "localdomain", IPAddress.Parse("::1"));

    /// <summary>Writes the answer for a refused request into an exactly-sized array.</summary>
    public static byte[] ErrorAnswer(byte[] request, in ProtocolError error)
    {
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(request.Length, Eir)];
        int length = S13Messages.WriteError(buffer, request, Eir, error);
        return buffer[..length];
    }
}
