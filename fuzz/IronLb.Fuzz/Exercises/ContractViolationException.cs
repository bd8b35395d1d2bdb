namespace IronLb.Fuzz.Exercises;

/// <summary>A parser's answer broke an invariant the exercise checks (no exception escaped, but the answer is wrong).</summary>
internal sealed class ContractViolationException(string message) : Exception(message);
