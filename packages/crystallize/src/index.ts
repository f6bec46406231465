export * from '@crystallize/core';
