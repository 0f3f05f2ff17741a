using ImeiEir.Sync;

namespace ImeiEir.Node.Links;

/// <summary>
/// Where this node finds the registry and the reader token it presents there, supplied by the host: the configured
/// <c>Registry:Url</c> and <c>Registry:ReaderToken</c> of an eir node, or, all-in-one, this process's own registry.
/// Asked once, when the listeners are bound, because an own registry's port may be chosen only at bind time.
/// </summary>
public delegate RegistryLink RegistryLocator();
