namespace DocStore.Server.Security;

/// <summary>One action on one collection that a call needs.</summary>
internal readonly record struct Requirement(string Collection, string Action);
