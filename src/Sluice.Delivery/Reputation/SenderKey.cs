namespace Sluice.Delivery.Reputation;

/// <summary>
/// One sender as rates, brakes and pauses count it: a scope and its value, compared without regard
/// to case. Its one written form is <c>sender_domain:example.com</c>, <c>tag:spring-sale</c>,
/// <c>api_key:shop</c> (API paths, events, metrics).
/// </summary>
public readonly record struct SenderKey(SenderScope Scope, string Value)
{
    private static readonly string[] ScopeNames = ["sender_domain", "tag", "api_key"];

    public static string ScopeName(SenderScope scope) => ScopeNames[(int)scope];

    public static bool TryParseScope(string? text, out SenderScope scope)
    {
        var index = Array.FindIndex(ScopeNames, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        scope = (SenderScope)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>Reads the written form (<c>scope:value</c>); false when the scope is unknown or the value empty.</summary>
    public static bool TryParse(string? text, out SenderKey key)
    {
        key = default;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || colon == text!.Length - 1 || !TryParseScope(text[..colon], out var scope))
        {
            return false;
        }

        key = new SenderKey(scope, text[(colon + 1)..]);
        return true;
    }

    public bool Equals(SenderKey other) => Scope == other.Scope && string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(Scope, StringComparer.OrdinalIgnoreCase.GetHashCode(Value ?? string.Empty));

    public override string ToString() => string.Concat(ScopeName(Scope), ":", Value);
}
