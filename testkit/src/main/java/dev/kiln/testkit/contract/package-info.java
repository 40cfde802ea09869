/**
 * The contract kits: JUnit 5 test classes every {@code CloudProvider} and every {@code Coordination}
 * store extends in its own tests, so all of them are held to the same behaviour.
 */
package dev.kiln.testkit.contract;
