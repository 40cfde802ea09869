/**
 * Kiln's provider for Amazon EC2: {@link dev.kiln.aws.AwsProvider}. See {@code docs/providers/aws.md}.
 */
package dev.kiln.aws;
