export * from '@crystallize/core';
export * from '@crystallize/cache';
export * from '@crystallize/orchestrator';
export * from '@crystallize/stats';
export * from '@crystallize/distributed';
