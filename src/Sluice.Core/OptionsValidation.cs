using Microsoft.Extensions.Options;

namespace Sluice.Core;

/// <summary>What every component's settings validator and AddSluiceX registration share.</summary>
public static class OptionsValidation
{
    /// <summary>Success when <paramref name="errors"/> ("key: reason" lines) is empty, else a failure carrying them all.</summary>
    public static ValidateOptionsResult Result(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Adds a validator's failures, if any, to <paramref name="errors"/>.</summary>
    public static void Collect(ValidateOptionsResult result, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(errors);
        if (result.Failed)
        {
            errors.AddRange(result.Failures);
        }
    }

    /// <summary>What an AddSluiceX registration does first: its component's validator over the options it is given.</summary>
    /// <exception cref="OptionsValidationException">The options fail their validator (every failure in the message).</exception>
    public static T Guard<T>(T options, IValidateOptions<T> validator)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(validator);
        var result = validator.Validate(null, options);
        return result.Failed
            ? throw new OptionsValidationException(typeof(T).Name, typeof(T), result.Failures)
            : options;
    }
}
