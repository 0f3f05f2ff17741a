using Microsoft.Extensions.Logging;

namespace ImeiEir.Transport.Epoll;

/// <summary>The transport's log messages: source-generated, with stable event ids (docs/ARCHITECTURE.md, convention 13).</summary>
internal static partial class EpollLog
{
    [LoggerMessage(20, LogLevel.Information, "Diameter on {EndPoint}: epoll transport, {EventLoops} event loops")]
    public static partial void Listening(ILogger logger, string endPoint, int eventLoops);
}
