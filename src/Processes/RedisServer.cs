using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DocStore.Processes;

/// <summary>
/// A real redis-server on a free loopback port, with no persistence. It can be killed and started
/// again on the same port, to test outages and recovery. It can require a password, define ACL users,
/// speak TLS only, and take further arguments (cluster mode).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly RedisServerSettings _settings;
    private Process? _process;

    private RedisServer(int port, RedisServerSettings settings)
    {
        Port = port;
        _settings = settings;
    }

    /// <summary>The loopback port it listens on (with TLS on, the TLS port, the only one).</summary>
    public int Port { get; }

    /// <summary>Whether the server process runs now (not killed, not crashed).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The password the server requires (<c>requirepass</c>), or null for none.</summary>
    public string? Password => _settings.Password;

    /// <summary>The PEM files of its TLS port, or null for plaintext.</summary>
    public RedisTls? Tls => _settings.Tls;

    /// <summary>The StackExchange.Redis configuration string for DocStore:Redis:Configuration, as the default user.</summary>
    public string Configuration => Password is null ? Endpoint : $"{Endpoint},password={Password}";

    /// <summary><c>127.0.0.1:{Port}</c>, with <c>ssl=true</c> when TLS is on.</summary>
    public string Endpoint => Tls is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},ssl=true";

    /// <summary>The configuration string that signs in as the ACL user <paramref name="user"/>.</summary>
    public string ConfigurationFor(string user, string password) => $"{Endpoint},user={user},password={password}";

    /// <summary>Starts redis-server on <paramref name="port"/>, or on a free port, requiring <paramref name="password"/> when given, and waits until it answers PING.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or did not come up.</exception>
    public static Task<RedisServer> StartAsync(int? port = null, string? password = null, CancellationToken cancellationToken = default) =>
        StartAsync(new RedisServerSettings { Port = port, Password = password }, cancellationToken);

    /// <summary>Starts redis-server as <paramref name="settings"/> say, and waits until it answers PING.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or did not come up.</exception>
    public static async Task<RedisServer> StartAsync(RedisServerSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var server = new RedisServer(settings.Port ?? FreePort.Next(), settings);
        await server.RestartAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the server (again) on the same port, empty.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync();
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var port = Port.ToString(CultureInfo.InvariantCulture);
        if (Tls is null)
        {
            Add(start, "--port", port);
        }
        else
        {
            // TLS only: the plaintext port is closed; clients need no certificate of their own.
            Add(start, "--port", "0");
            Add(start, "--tls-port", port);
            Add(start, "--tls-cert-file", Tls.CertificatePath);
            Add(start, "--tls-key-file", Tls.KeyPath);
            Add(start, "--tls-ca-cert-file", Tls.CaPath);
            Add(start, "--tls-auth-clients", "no");
        }

        if (Password is not null)
        {
            Add(start, "--requirepass", Password);
        }

        // redis.conf's "user <name> <rules...>", one directive per user.
        foreach (var user in _settings.Users)
        {
            Add(start, ["--user", .. user.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        }

        Add(start, [.. _settings.Arguments]);

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

    private static void Add(ProcessStartInfo start, params string[] arguments)
    {
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            await using var stream = await OpenAsync(client, cancellationToken);
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
        catch (AuthenticationException)
        {
            return false;
        }
    }

    /// <summary>The connection's stream: plain, or TLS trusting only the server's CA.</summary>
    private async Task<Stream> OpenAsync(TcpClient client, CancellationToken cancellationToken)
    {
        if (Tls is null)
        {
            return client.GetStream();
        }

        // The handshake trusts the test's CA only, and checks that the certificate names 127.0.0.1.
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(Tls.CaPath));
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1", CertificateChainPolicy = policy }, cancellationToken);
        return tls;
    }
}

/// <summary>How <see cref="RedisServer"/> starts redis-server.</summary>
public sealed class RedisServerSettings
{
    /// <summary>The port; null for a free one.</summary>
    public int? Port { get; init; }

    /// <summary>The default user's password (<c>requirepass</c>); null for none.</summary>
    public string? Password { get; init; }

    /// <summary>The TLS port's PEM files; null for plaintext.</summary>
    public RedisTls? Tls { get; init; }

    /// <summary>ACL users as redis.conf writes them after <c>user</c>, e.g. <c>docstore on &gt;secret ~docstore:* +get</c>.</summary>
    public IReadOnlyList<string> Users { get; init; } = [];

    /// <summary>Further redis-server arguments, e.g. <c>--cluster-enabled yes</c>.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}

/// <summary>PEM files for redis-server's TLS port: its certificate and key, and the CA that signed it.</summary>
/// <param name="CertificatePath">The server certificate.</param>
/// <param name="KeyPath">Its private key.</param>
/// <param name="CaPath">The CA that issued it, which clients trust.</param>
public sealed record RedisTls(string CertificatePath, string KeyPath, string CaPath);
