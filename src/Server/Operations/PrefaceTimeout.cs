using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DocStore.Server.Operations;

/// <summary>
/// Closes an HTTP/2 connection that has not sent the 24-byte client preface within Kestrel's
/// request-headers timeout (<c>Kestrel:Limits:RequestHeadersTimeout</c>, 30 s by default). Kestrel
/// guards the stages after the preface, but a connection that sends nothing at all would otherwise
/// hold its socket, and a slot of <c>Kestrel:Limits:MaxConcurrentConnections</c>, for minutes.
/// </summary>
internal static partial class PrefaceTimeout
{
    /// <summary>"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".</summary>
    private const int PrefaceLength = 24;

    /// <summary>Adds the guard to an HTTP/2 endpoint's connection pipeline.</summary>
    public static void Apply(ListenOptions endpoint)
    {
        var limits = endpoint.KestrelServerOptions.Limits;
        var logger = endpoint.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PrefaceTimeout).FullName!);
        endpoint.Use(next => async connection =>
        {
            using (var timeout = new CancellationTokenSource(limits.RequestHeadersTimeout))
            {
                try
                {
                    var input = connection.Transport.Input;
                    var read = await input.ReadAtLeastAsync(PrefaceLength, timeout.Token);
                    input.AdvanceTo(read.Buffer.Start); // leave the preface for Kestrel
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    Log.NoPreface(logger, connection.RemoteEndPoint, limits.RequestHeadersTimeout);
                    connection.Abort(new ConnectionAbortedException("No HTTP/2 preface within the request-headers timeout."));
                    return;
                }
            }

            await next(connection);
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, EventName = "NoHttp2Preface", Level = LogLevel.Debug, Message = "Closed connection from {Remote}: no HTTP/2 preface within {Timeout}")]
        public static partial void NoPreface(ILogger logger, System.Net.EndPoint? remote, TimeSpan timeout);
    }
}
