using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocStore.Server.Security;

/// <summary>
/// The gRPC port's certificate, read from <c>DocStore:Tls:CertificatePath</c> and <c>:KeyPath</c> and read again when
/// either file changes (cert-manager renews the Secret in place, kubelet swaps the mounted files). Kestrel asks for it
/// at every TLS handshake; the files' timestamps and sizes are looked at no more than once per
/// <see cref="CheckInterval"/>, and a pair that does not load (half-written during a rotation) keeps the previous one.
/// </summary>
internal sealed partial class ServerCertificate : IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerCertificate> _logger;
    private readonly Lock _reload = new();
    private X509Certificate2 _current;
    private (DateTime, long, DateTime, long) _stamp;
    private long _nextCheck;

    public ServerCertificate(TlsOptions options, TimeProvider time, ILogger<ServerCertificate> logger)
    {
        _certificatePath = options.CertificatePath ?? throw new ArgumentException("DocStore:Tls:CertificatePath is required.", nameof(options));
        _keyPath = options.KeyPath ?? throw new ArgumentException("DocStore:Tls:KeyPath is required.", nameof(options));
        _time = time;
        _logger = logger;
        _stamp = Stamp();
        _current = Load(_certificatePath, _keyPath);
        _nextCheck = time.GetTimestamp() + (long)(CheckInterval.TotalSeconds * time.TimestampFrequency);
        Log.Loaded(_logger, _current.Subject, _current.Thumbprint, _current.NotAfter);
    }

    /// <summary>The certificate for a new connection: the files' current pair.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = _time.GetTimestamp();
            if (now >= Interlocked.Read(ref _nextCheck))
            {
                Refresh(now);
            }

            return Volatile.Read(ref _current);
        }
    }

    /// <summary>Loads a PEM certificate and key, the way <see cref="Current"/> does; throws when they do not make a pair.</summary>
    public static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

        // Exported and re-imported so that the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    public void Dispose() => _current.Dispose();

    private void Refresh(long now)
    {
        lock (_reload)
        {
            if (now < _nextCheck)
            {
                return;
            }

            _nextCheck = now + (long)(CheckInterval.TotalSeconds * _time.TimestampFrequency);
            var stamp = Stamp();
            if (stamp == _stamp)
            {
                return;
            }

            try
            {
                var loaded = Load(_certificatePath, _keyPath);
                _stamp = stamp;
                Volatile.Write(ref _current, loaded);
                Log.Loaded(_logger, loaded.Subject, loaded.Thumbprint, loaded.NotAfter);

                // The previous certificate is left to the GC: handshakes in progress may still hold it.
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                Log.ReloadFailed(_logger, _certificatePath, e.GetType().Name);
            }
        }
    }

    private (DateTime, long, DateTime, long) Stamp()
    {
        var certificate = new FileInfo(_certificatePath);
        var key = new FileInfo(_keyPath);
        return (certificate.Exists ? certificate.LastWriteTimeUtc : default, certificate.Exists ? certificate.Length : -1,
            key.Exists ? key.LastWriteTimeUtc : default, key.Exists ? key.Length : -1);
    }

    /// <summary>TLS log events: ids 700-709.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 700, EventName = "TlsCertificateLoaded", Level = LogLevel.Information,
            Message = "TLS certificate {Subject} ({Thumbprint}), valid until {NotAfter:u}, serves new connections.")]
        public static partial void Loaded(ILogger logger, string subject, string thumbprint, DateTime notAfter);

        [LoggerMessage(EventId = 701, EventName = "TlsCertificateReloadFailed", Level = LogLevel.Warning,
            Message = "TLS certificate {Path} changed but does not load with its key yet ({Error}); the previous certificate still serves.")]
        public static partial void ReloadFailed(ILogger logger, string path, string error);
    }
}
