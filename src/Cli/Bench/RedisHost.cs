using System.Globalization;
using System.Net.Sockets;
using System.Text;
using DocStore.Processes;

namespace DocStore.Cli.Bench;

/// <summary>
/// A redis-server the benchmark starts on a free loopback port, without persistence (through the
/// launcher the tests use), and a minimal RESP client for the few commands it needs to measure what
/// DocStore keeps there.
/// </summary>
internal sealed class RedisHost : IAsyncDisposable
{
    private readonly RedisServer _server;

    private RedisHost(RedisServer server) => _server = server;

    public int Port => _server.Port;

    /// <summary>The StackExchange.Redis configuration string for DocStore:Redis:Configuration.</summary>
    public string Configuration => _server.Configuration;

    public static async Task<RedisHost> StartAsync(CancellationToken cancellationToken) =>
        new(await RedisServer.StartAsync(cancellationToken: cancellationToken));

    /// <summary>Every key matching <paramref name="pattern"/>, through SCAN.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string pattern, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        var cursor = "0";
        do
        {
            var reply = (object?[])(await CommandAsync(cancellationToken, "SCAN", cursor, "MATCH", pattern, "COUNT", "1000"))!;
            cursor = (string)reply[0]!;
            keys.AddRange(((object?[])reply[1]!).Cast<string>());
        }
        while (cursor != "0");
        return keys;
    }

    /// <summary>Sends one command on a new connection and reads its reply: string, long, array or null.</summary>
    /// <exception cref="InvalidOperationException">Redis answered with an error.</exception>
    public async Task<object?> CommandAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Resp.Encode(arguments), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await Resp.ReadAsync(reader);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>The Redis protocol (RESP2), as much as the benchmark needs.</summary>
internal static class Resp
{
    public static byte[] Encode(IReadOnlyList<string> arguments)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{arguments.Count}\r\n");
        foreach (var argument in arguments)
        {
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads one reply. Bulk strings are read by line, which holds for the keys and numbers read here.</summary>
    public static async Task<object?> ReadAsync(TextReader reader)
    {
        var line = await reader.ReadLineAsync() ?? throw new IOException("Redis closed the connection");
        var body = line[1..];
        switch (line[0])
        {
            case '+':
                return body;
            case '-':
                throw new InvalidOperationException("Redis: " + body);
            case ':':
                return long.Parse(body, CultureInfo.InvariantCulture);
            case '$':
                return body == "-1" ? null : await reader.ReadLineAsync();
            case '*':
                var count = int.Parse(body, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadAsync(reader);
                }

                return items;
            default:
                throw new IOException("Unexpected Redis reply: " + line);
        }
    }
}
