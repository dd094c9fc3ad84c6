using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// The Cosmos SDK's HTTP transport to the peer, with a hook in front: each document request is
/// recorded and offered to <see cref="Fault"/>, which may answer it instead of the peer (a status the
/// peer cannot produce) or change the peer's answer (<see cref="Amend"/>).
/// </summary>
public sealed class FaultInjectingHandler() : DelegatingHandler(new SocketsHttpHandler
{
#pragma warning disable CA5359 // The peer listens on loopback with the self-signed certificate its package ships.
    SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
})
{
    /// <summary>Answers a document request instead of the peer when it returns a response.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Fault { get; set; }

    /// <summary>Changes the peer's answer to a document request.</summary>
    public Action<HttpRequestMessage, HttpResponseMessage>? Amend { get; set; }

    /// <summary>Document requests seen, newest last: method, path and headers.</summary>
    public ConcurrentQueue<(HttpMethod Method, string Path, Dictionary<string, string> Headers)> Requests { get; } = new();

    /// <summary>The bodies of document requests that had one, newest last.</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

    /// <summary>Set when a document request was cancelled while the hook held it.</summary>
    public TaskCompletionSource Cancelled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long to hold each document request before answering it.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every request (not only document requests) fails as a refused connection does.</summary>
    public bool Unreachable { get; set; }

    public void Reset()
    {
        Fault = null;
        Amend = null;
        Delay = TimeSpan.Zero;
        Unreachable = false;
        Requests.Clear();
        Bodies.Clear();
        Cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A Cosmos-style error answer.</summary>
    public static HttpResponseMessage Error(HttpStatusCode status, string message, int subStatus = 0, string? retryAfterMs = null)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent($$"""{"code":"{{status}}","message":{{System.Text.Json.JsonSerializer.Serialize(message)}}}""", Encoding.UTF8, "application/json"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
        response.Headers.TryAddWithoutValidation("x-ms-substatus", subStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (retryAfterMs is not null)
        {
            response.Headers.TryAddWithoutValidation("x-ms-retry-after-ms", retryAfterMs);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Unreachable)
        {
            throw new HttpRequestException("Connection refused (injected)", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        }

        var path = request.RequestUri?.AbsolutePath ?? "";
        if (!path.Contains("/docs", StringComparison.Ordinal))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        Requests.Enqueue((request.Method, path, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase)));
        if (request.Content is not null)
        {
            Bodies.Enqueue(await request.Content.ReadAsStringAsync(cancellationToken));
        }

        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
                throw;
            }
        }

        if (Fault?.Invoke(request) is { } faulted)
        {
            faulted.RequestMessage = request;
            return faulted;
        }

        var response = await base.SendAsync(request, cancellationToken);
        Amend?.Invoke(request, response);
        return response;
    }
}
