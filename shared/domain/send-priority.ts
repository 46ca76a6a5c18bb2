// Campaign priority in the sender: one customer's requests in a batch are handled one after the
// other, highest priority (1) first, so when the frequency cap allows one more email the
// higher-priority campaign gets it and the others are deferred by the cap. Requests of different
// customers do not compete for a slot and keep running in parallel.

export const DEFAULT_SEND_PRIORITY = 5;

export interface PrioritisedItem {
  id: string;
  /** Undefined for a record that cannot be read: it waits for nobody and nobody waits for it. */
  customerId: string | undefined;
  priority: number | undefined;
}

/**
 * For each item, the item of the same customer that must be handled before it (undefined: start
 * at once). Order within a customer: priority ascending, then batch order (stable).
 */
export function priorityPredecessors(items: readonly PrioritisedItem[]): Map<string, string | undefined> {
  const byCustomer = new Map<string, { id: string; priority: number; index: number }[]>();
  const predecessors = new Map<string, string | undefined>();
  items.forEach((item, index) => {
    predecessors.set(item.id, undefined);
    if (item.customerId === undefined) return;
    const list = byCustomer.get(item.customerId) ?? [];
    list.push({ id: item.id, priority: item.priority ?? DEFAULT_SEND_PRIORITY, index });
    byCustomer.set(item.customerId, list);
  });
  for (const list of byCustomer.values()) {
    list.sort((a, b) => a.priority - b.priority || a.index - b.index);
    list.forEach((item, position) => predecessors.set(item.id, list[position - 1]?.id));
  }
  return predecessors;
}
