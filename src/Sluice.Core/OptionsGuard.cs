using Microsoft.Extensions.Options;

namespace Sluice.Core;

/// <summary>What every AddSluiceX registration does first: its component's validator over the options it is given.</summary>
public static class OptionsGuard
{
    /// <exception cref="OptionsValidationException">The options fail their validator (every failure in the message).</exception>
    public static T Validated<T>(T options, IValidateOptions<T> validator)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(validator);
        var result = validator.Validate(null, options);
        return result.Failed
            ? throw new OptionsValidationException(typeof(T).Name, typeof(T), result.Failures)
            : options;
    }
}
