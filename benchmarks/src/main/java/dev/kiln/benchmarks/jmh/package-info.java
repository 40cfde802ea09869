/** JMH microbenchmarks of the hot paths: admission, token buckets, plan expansion, packer's output. */
package dev.kiln.benchmarks.jmh;
