using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace DocStore.Processes;

/// <summary>
/// A real redis-server on a free loopback port, with no persistence. It can be killed and started
/// again on the same port, to test outages and recovery.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port, string? password)
    {
        Port = port;
        Password = password;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The password the server requires (<c>requirepass</c>), or null for none.</summary>
    public string? Password { get; }

    /// <summary>The StackExchange.Redis configuration string for DocStore:Redis:Configuration.</summary>
    public string Configuration => Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={Password}";

    /// <summary>Starts redis-server on <paramref name="port"/>, or on a free port, requiring <paramref name="password"/> when given, and waits until it answers PING.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or did not come up.</exception>
    public static async Task<RedisServer> StartAsync(int? port = null, string? password = null, CancellationToken cancellationToken = default)
    {
        var server = new RedisServer(port ?? FreePort.Next(), password);
        await server.RestartAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the server (again) on the same port, empty.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync();
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(Password);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server)", e);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await AnswersPingAsync(cancellationToken))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not come up on port {Port}.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Ends the server at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            var reply = Encoding.ASCII.GetString(buffer, 0, read);

            // With requirepass, an unauthenticated PING is answered NOAUTH: the server is up.
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
