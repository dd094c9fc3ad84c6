using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace DocStore.Server.Tests.Infrastructure;

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

    public int Port { get; }

    /// <summary>The password the server requires (<c>requirepass</c>), or null for none.</summary>
    public string? Password { get; }

    /// <summary>The StackExchange.Redis configuration string for DocStore:Redis:Configuration.</summary>
    public string Configuration => Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={Password}";

    public static async Task<RedisServer> StartAsync(int? port = null, string? password = null)
    {
        var server = new RedisServer(port ?? ServerProcess.FreePort(), password);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port, empty.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(Password);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not come up on port {Port}.");
            }

            await Task.Delay(50);
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

    /// <summary>A client for inspecting the server from a test.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true");

    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"));
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            var reply = Encoding.ASCII.GetString(buffer, 0, read);
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
