namespace DocStore.Server.Security;

/// <summary>What a call needs before it runs.</summary>
internal enum Access
{
    /// <summary>Nothing: the health service, which kubelet probes call without credentials.</summary>
    Open,

    /// <summary>An authenticated caller: server reflection, which describes the contract but touches no document.</summary>
    Authenticated,

    /// <summary>An authenticated caller allowed the method's action on the request's collection(s).</summary>
    Authorized,
}
