/** The AWS provider's implementation. Not exported: nothing here is API. */
package dev.kiln.aws.internal;
