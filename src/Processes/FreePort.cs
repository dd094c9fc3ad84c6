using System.Net;
using System.Net.Sockets;

namespace DocStore.Processes;

/// <summary>Free loopback ports for the processes the tests and the bench start.</summary>
public static class FreePort
{
    /// <summary>A port no listener holds now: the operating system's pick for a listener on port 0, released at once.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
