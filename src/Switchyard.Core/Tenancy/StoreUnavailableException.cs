namespace Switchyard.Core.Tenancy;

/// <summary>
/// The store cannot be opened: its address is malformed, it does not answer, it refuses the credentials, or its schema
/// is newer than this build. The message says which store and why, never a password; start fails with it in one line.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
