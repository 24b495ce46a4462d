namespace Sluice.Core.Balancing;

/// <summary>The policies by name (case-insensitive). An unknown name is a config error.</summary>
public static class LoadBalancingPolicies
{
    public const string Default = "PowerOfTwoChoices";

    private static readonly Dictionary<string, ILoadBalancingPolicy> ByName = new ILoadBalancingPolicy[]
    {
        new RoundRobinPolicy(),
        new WeightedRoundRobinPolicy(),
        new LeastConnectionsPolicy(),
        new PowerOfTwoChoicesPolicy(),
        new RandomPolicy(),
        new FirstPolicy(),
    }.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryGet(string name, out ILoadBalancingPolicy policy)
        => ByName.TryGetValue(name, out policy!);
}
