// A `$state` object for tests, standing in for the parent's state in `bind:value`.
export function reactive<T extends object>(value: T): T {
  const state = $state(value);
  return state;
}
